// The staff console page: one self-contained document (no build step) with sign-in, the live
// triage inbox, intake detail with actions, and the audit log. Works on a tablet; all data is
// written with textContent, never as HTML.
import { escapeHtml } from '../html.ts';

const STYLE = `
:root{--brand:#0b6e69;--brand-dark:#08524e;--bg:#f3f6f6;--card:#fff;--text:#1c2526;--muted:#5b6b6c;--line:#dde5e5;
--a1:#b3261e;--a2:#d9590b;--a3:#c99400;--a4:#1e8e3e;--a5:#1a73e8}
*{box-sizing:border-box}
html,body{margin:0;min-height:100%}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Thai","Noto Sans CJK SC",sans-serif;background:var(--bg);color:var(--text)}
header{background:var(--brand);color:#fff;display:flex;align-items:center;gap:16px;padding:10px 20px;position:sticky;top:0;z-index:2;box-shadow:0 1px 3px rgba(0,0,0,.2)}
header .brand{font-weight:700;font-size:17px;margin-right:auto}
header .brand small{font-weight:400;opacity:.85;margin-left:8px}
header nav a{color:#fff;text-decoration:none;padding:8px 12px;border-radius:8px;font-weight:500}
header nav a[aria-current=page]{background:rgba(255,255,255,.18)}
header .who{font-size:13px;opacity:.9}
header button{font:inherit;font-size:13px;background:transparent;color:#fff;border:1px solid rgba(255,255,255,.6);border-radius:8px;padding:6px 12px;cursor:pointer;min-height:36px}
main{max-width:1200px;margin:0 auto;padding:20px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:16px;margin:0 0 10px}
.muted{color:var(--muted)}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:16px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
.login{max-width:380px;margin:10vh auto}
label{display:block;font-weight:600;margin:12px 0 4px}
input,select,textarea{font:inherit;width:100%;padding:10px 12px;border:1px solid #c5d1d1;border-radius:8px;background:#fff;min-height:44px}
textarea{min-height:80px;resize:vertical}
button.primary,button.secondary,button.danger{font:inherit;font-weight:600;border-radius:8px;padding:10px 16px;cursor:pointer;min-height:44px;border:1px solid var(--brand)}
button.primary{background:var(--brand);color:#fff}
button.primary:hover{background:var(--brand-dark)}
button.secondary{background:#fff;color:var(--brand)}
button.danger{background:#fff;color:var(--a1);border-color:var(--a1)}
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.error{color:var(--a1);font-weight:600;margin-top:10px;min-height:1.4em}
.toolbar{display:flex;align-items:flex-end;justify-content:space-between;gap:12px;margin-bottom:14px;flex-wrap:wrap}
.live{display:inline-flex;align-items:center;gap:6px;font-size:13px;color:var(--muted)}
.live::before{content:"";width:9px;height:9px;border-radius:50%;background:#9aa}
.live.on::before{background:#1e8e3e;box-shadow:0 0 0 3px rgba(30,142,62,.2)}
table{width:100%;border-collapse:collapse;background:var(--card)}
th,td{text-align:left;padding:12px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);background:#f8fafa}
tbody tr{cursor:pointer}
tbody tr:hover{background:#f1f8f7}
tbody tr.fresh{animation:fresh 3s ease-out}
@keyframes fresh{from{background:#fff6d6}to{background:transparent}}
.inbox{border:1px solid var(--line);border-radius:12px;overflow:hidden}
.chip{display:inline-flex;align-items:center;gap:6px;font-weight:700;border-radius:999px;padding:3px 10px;color:#fff;white-space:nowrap;font-size:13px}
.a1{background:var(--a1)}.a2{background:var(--a2)}.a3{background:var(--a3)}.a4{background:var(--a4)}.a5{background:var(--a5)}
.alert{display:inline-block;background:var(--a1);color:#fff;border-radius:6px;padding:2px 8px;font-size:12px;font-weight:700;margin:2px 4px 2px 0}
.thread li{margin-bottom:8px}.thread .patient{background:#f1f8f7;border-radius:8px;padding:6px 10px}
.flag{display:inline-block;background:#fdecea;color:#7a1712;border-radius:6px;padding:2px 8px;font-size:12px;font-weight:600;margin:2px 4px 2px 0}
.tag{display:inline-block;background:#e8efef;border-radius:6px;padding:2px 8px;font-size:12px}
.status-new{color:var(--a2);font-weight:600}.status-reviewed{color:var(--a4);font-weight:600}
.empty{padding:40px;text-align:center;color:var(--muted)}
.detail{display:grid;grid-template-columns:minmax(0,1.4fr) minmax(300px,1fr);gap:16px;align-items:start}
.stack{display:grid;gap:16px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 14px;margin:0}
dt{color:var(--muted)}dd{margin:0;font-weight:500}
.qa{width:100%}
.qa td{padding:8px 6px}
.qa td:first-child{color:var(--muted);width:60%}
.levels{display:grid;grid-template-columns:repeat(5,1fr);gap:6px}
.levels button{font:inherit;font-weight:700;border:2px solid transparent;border-radius:8px;color:#fff;min-height:48px;cursor:pointer;opacity:.55}
.levels button[aria-pressed=true]{opacity:1;border-color:#1c2526;box-shadow:0 0 0 2px #fff inset}
.levels small{display:block;font-weight:500;font-size:11px}
.row{display:flex;gap:8px;margin-top:10px}
.row>*{flex:1}
.history li{margin-bottom:6px}
.notice{background:#e6f4ea;border:1px solid #b7dfc3;border-radius:8px;padding:8px 12px;margin-top:10px}
.actions{white-space:nowrap}.actions button{margin:2px 6px 2px 0;min-height:40px;padding:8px 12px}
.back{display:inline-block;margin-bottom:10px;color:var(--brand);font-weight:600;text-decoration:none}
@media (max-width:900px){.detail{grid-template-columns:1fr}.hide-narrow{display:none}main{padding:12px}}
`;

// Plain browser JavaScript. Views: sign-in, inbox (#/), intake (#/intakes/<id>), payments
// (#/payments), audit (#/audit).
const SCRIPT = `
const LEVELS = {1:'Emergency',2:'Very urgent',3:'Urgent',4:'Standard',5:'Self-care'};
const ANSWERS = {yes:'Yes',no:'No',unknown:'Does not know'};
const REASONS = {'severity:severe':'severity 8-10','severity:moderate':'severity 5-7','temperature:high':'temperature ≥ 39.5 °C','temperature:fever':'temperature ≥ 38 °C','temperature:low':'temperature < 35 °C','pregnancy:abdominal':'pregnant with abdominal pain','pregnancy':'could be pregnant','age:older':'older patient'};
function reasonText(r){if(r.startsWith('typed:'))return 'typed “'+r.slice(6)+'”';return r.startsWith('redFlag:')?'red flag: '+(labels.redFlag[r.slice(8)]||r):(REASONS[r]||r);}
function actionText(x){const d=x.detail;switch(x.kind){
  case 'acuity':return 'set acuity '+d.acuity+' · '+LEVELS[d.acuity]+(d.reason?' — “'+d.reason+'”':'');
  case 'route':return 'routed to '+(labels.department[d.department]||d.department);
  case 'message':return d.template?'sent the template “'+(labels.templates[d.template]||d.template)+'”':'sent “'+d.text+'”';
  case 'close':return 'closed the intake';
  case 'approve':return 'approved the appointment of '+new Date(d.start).toLocaleString();
  case 'reply':return (d.phrase?'wrote an emergency phrase (“'+d.phrase+'”): ':'replied: ')+'“'+d.text+'”';
  default:return x.kind;}}
const app = document.getElementById('app');
let me = null, csrf = '', labels = null, stream = null, known = new Set();
function el(tag, attrs, ...children){const n=document.createElement(tag);for(const [k,v] of Object.entries(attrs||{})){if(k==='class')n.className=v;else if(k.startsWith('on'))n.addEventListener(k.slice(2),v);else if(v!==undefined&&v!==null&&v!==false)n.setAttribute(k,v===true?'':v);}for(const c of children.flat()){if(c===null||c===undefined)continue;n.append(c instanceof Node?c:document.createTextNode(String(c)));}return n;}
async function api(method, path, body){
  const res = await fetch(path,{method,headers:{...(body?{'content-type':'application/json'}:{}),...(method!=='GET'?{'x-csrf-token':csrf}:{})},body:body?JSON.stringify(body):undefined,credentials:'same-origin'});
  const data = await res.json().catch(()=>({}));
  if(res.status===401&&!path.endsWith('/sign-in')){me=null;showSignIn();throw new Error(data.message||'signed out');}
  if(!res.ok) throw Object.assign(new Error(data.message||('request failed: '+res.status)),{status:res.status});
  return data;
}
function chip(level){return el('span',{class:'chip a'+level,'data-acuity':level},String(level)+' · '+LEVELS[level]);}
function waited(iso){const m=Math.max(0,Math.round((Date.now()-new Date(iso).getTime())/60000));return m<60?m+' min':Math.floor(m/60)+' h '+(m%60)+' min';}
function can(role){return me&&me.roles.some(r=>role.includes(r));}
const clinical=['nurse','doctor'];
const money=['operator','admin'];
const PAY_STATUS={open:'Awaiting payment',paid:'Paid',expired:'Expired (slot released)',cancelled:'Appointment cancelled',void:'Paid too late (refunded)'};
function header(active){
  const nav=el('nav',{'aria-label':'Console'});
  if(can(clinical))nav.append(el('a',{href:'#/','aria-current':active==='inbox'?'page':undefined},'Triage inbox'));
  if(can(money))nav.append(el('a',{href:'#/payments','aria-current':active==='payments'?'page':undefined},'Payments'));
  if(can(['admin']))nav.append(el('a',{href:'#/audit','aria-current':active==='audit'?'page':undefined},'Audit log'));
  return el('header',{},el('div',{class:'brand'},'Frontdoor',el('small',{},document.title.split(' · ')[1]||'')),nav,
    el('span',{class:'who'},me.displayName+' · '+me.roles.join(', ')),
    el('button',{type:'button',onclick:signOut},'Sign out'));
}
function page(active, ...content){stopStream();app.replaceChildren(header(active),el('main',{},...content));}
function showSignIn(message){
  stopStream();
  const error=el('p',{class:'error',role:'alert'},message||'');
  const email=el('input',{id:'email',type:'email',autocomplete:'username',required:true});
  const password=el('input',{id:'password',type:'password',autocomplete:'current-password',required:true});
  const form=el('form',{class:'card login',onsubmit:async(e)=>{e.preventDefault();error.textContent='';
    try{csrf=(await api('GET','/console/api/csrf')).csrfToken;await api('POST','/console/api/sign-in',{email:email.value,password:password.value});await start();}
    catch(err){error.textContent=err.status===429?'Too many sign-in attempts. Please wait a moment and try again.':err.status===401?'Wrong email or password.':err.message;}}},
    el('h1',{},'Staff sign-in'),el('p',{class:'muted'},document.title.split(' · ')[1]||''),
    el('label',{for:'email'},'Email'),email,el('label',{for:'password'},'Password'),password,
    el('div',{class:'row'},el('button',{class:'primary',type:'submit'},'Sign in')),error);
  app.replaceChildren(el('main',{},form));email.focus();
}
async function signOut(){try{await api('POST','/console/api/sign-out');}catch{}me=null;showSignIn();}
function stopStream(){if(stream){stream.close();stream=null;}}
async function inbox(){
  const live=el('span',{class:'live',id:'live'},'Connecting…');
  const body=el('tbody');
  const count=el('p',{class:'muted'});
  page('inbox',el('div',{class:'toolbar'},el('div',{},el('h1',{},'Triage inbox'),count),live),
    el('div',{class:'inbox'},el('table',{'aria-label':'Open intakes, most urgent first'},
      el('thead',{},el('tr',{},el('th',{},'Acuity'),el('th',{},'Waiting'),el('th',{},'Complaint'),el('th',{},'Patient'),el('th',{},'Red flags'),el('th',{class:'hide-narrow'},'Department'),el('th',{class:'hide-narrow'},'Status'))),body)));
  async function load(){
    const {intakes}=await api('GET','/console/api/intakes');
    count.textContent=intakes.length+' open · most urgent first, then longest waiting';
    body.replaceChildren(...(intakes.length?intakes.map(i=>{
      const row=el('tr',{'data-id':i.id,tabindex:'0',class:known.size&&!known.has(i.id)?'fresh':'',onclick:()=>{location.hash='#/intakes/'+i.id},onkeydown:(e)=>{if(e.key==='Enter')location.hash='#/intakes/'+i.id}},
        el('td',{},chip(i.acuity)),el('td',{},waited(i.createdAt)),el('td',{},labels.complaint[i.complaint]||i.complaint),
        el('td',{},i.patientName,' ',el('span',{class:'tag'},i.channel)),
        el('td',{},(i.typedRedFlags.length||i.redFlags.length)?[...i.typedRedFlags.map(f=>el('span',{class:'alert',role:'img','aria-label':'Alert: the patient typed an emergency phrase'},'⚠ typed “'+f.phrase+'”')),...i.redFlags.map(f=>el('span',{class:'flag',title:labels.redFlag[f]},labels.redFlag[f]||f))]:el('span',{class:'muted'},'none')),
        el('td',{class:'hide-narrow'},labels.department[i.department]||i.department),
        el('td',{class:'hide-narrow status-'+i.status},i.status));
      return row;}):[el('tr',{},el('td',{colspan:'7',class:'empty'},'No open intakes.'))]));
    intakes.forEach(i=>known.add(i.id));
  }
  await load();
  stream=new EventSource('/console/api/stream');
  stream.onopen=()=>{live.textContent='Live';live.classList.add('on');};
  stream.onerror=()=>{live.textContent='Reconnecting…';live.classList.remove('on');};
  stream.addEventListener('intake',()=>load().catch(()=>{}));
}
async function intake(id, flash){
  const {intake:i,excerpt,pendingAppointments:pending}=await api('GET','/console/api/intakes/'+id);
  const notice=el('div',{role:'status','aria-live':'polite'});
  const say=(text)=>{notice.replaceChildren(el('div',{class:'notice'},text));};
  const fail=(err)=>{notice.replaceChildren(el('p',{class:'error',role:'alert'},err.message));};
  let chosen=i.acuity;
  const decision=()=>chosen===i.acuity?'Confirm level '+chosen:'Change to level '+chosen;
  const levelButtons=[1,2,3,4,5].map(l=>el('button',{type:'button',class:'a'+l,'aria-pressed':String(l===chosen),'data-level':l,onclick:()=>{chosen=l;levelButtons.forEach(b=>b.setAttribute('aria-pressed',String(Number(b.dataset.level)===chosen)));decide.textContent=decision();}},String(l),el('small',{},LEVELS[l])));
  const reason=el('textarea',{id:'reason',placeholder:'Reason (required to change the level)'});
  const decide=el('button',{class:'primary',type:'button',onclick:async()=>{try{stopStream();await api('POST','/console/api/intakes/'+id+'/acuity',{acuity:chosen,reason:reason.value});await intake(id,'Acuity set to '+chosen+' · '+LEVELS[chosen]+'.');}catch(e){fail(e);}}},decision());
  const dept=el('select',{id:'department'},...Object.entries(labels.department).map(([k,v])=>el('option',{value:k,selected:k===i.department},v)));
  const template=el('select',{id:'template'},el('option',{value:''},'Type a message instead…'),...Object.entries(labels.templates).map(([k,v])=>el('option',{value:k},v)));
  const typed=el('textarea',{id:'message',placeholder:'Message to the patient (sent as typed)'});
  const closed=i.status==='closed';
  const thread=el('ol',{class:'thread',id:'thread','aria-live':'polite'});
  const showThread=(list)=>{const talk=list.filter(x=>x.kind==='message'||x.kind==='reply');
    thread.replaceChildren(...(talk.length?talk.map(x=>el('li',{class:x.kind==='reply'?'patient':''},el('strong',{},x.staff),' '+actionText(x),el('div',{class:'muted'},new Date(x.at).toLocaleString()))):[el('li',{class:'muted'},'No message yet.')]));};
  showThread(i.actions);
  const a=i.answers;
  const structured=[['Complaint',labels.complaint[a.complaint]||a.complaint],['Started',a.onset?(a.onset==='unknown'?'Does not know':labels.onset[a.onset]):'–'],['Severity',a.severity===undefined?'Does not know':a.severity+' / 10'],
    ...(a.pregnant?[['Could be pregnant',ANSWERS[a.pregnant]]]:[]),['Temperature',a.temperature===undefined?'Not measured':a.temperature+' °C'],['Age',a.age===undefined?'–':a.age]];
  page('inbox',el('a',{class:'back',href:'#/'},'← Triage inbox'),
    el('div',{class:'toolbar'},el('div',{},el('h1',{},labels.complaint[a.complaint]||a.complaint,' ',chip(i.acuity)),
      el('p',{class:'muted'},'Waiting '+waited(i.createdAt)+' · triage rules gave level '+i.triageAcuity+' · '+i.status+' · needs review before booking: '+(i.reviewRequired?'yes':'no')))),
    el('div',{class:'detail'},
      el('div',{class:'stack'},
        el('section',{class:'card','aria-labelledby':'h-patient'},el('h2',{id:'h-patient'},'Patient'),
          el('dl',{},el('dt',{},'Name'),el('dd',{},i.patient.fullName),el('dt',{},'Born'),el('dd',{},i.patient.birthDate+(a.age!==undefined?' ('+a.age+' y)':'')),
            el('dt',{},'Phone'),el('dd',{},el('a',{href:'tel:'+i.patient.phone},i.patient.phone)),el('dt',{},'Channel'),el('dd',{},i.address.channel+' · language '+i.locale))),
        el('section',{class:'card','aria-labelledby':'h-flags'},el('h2',{id:'h-flags'},'Red flags'),
          i.typedRedFlags.length?el('ul',{'aria-label':'Emergency phrases typed'},...i.typedRedFlags.map(f=>el('li',{},el('span',{class:'alert'},'⚠ typed'),' “'+f.phrase+'” — the patient was told to call the emergency number'))):null,
          i.redFlags.length?el('ul',{},...i.redFlags.map(f=>el('li',{},el('span',{class:'flag'},'yes'),' ',labels.redFlag[f]||f))):el('p',{class:'muted'},i.typedRedFlags.length?'No red-flag question answered yes.':'No red flag answered yes.'),
          i.reasons.length?el('p',{class:'muted'},'Level raised by: '+i.reasons.map(reasonText).join('; ')):null),
        el('section',{class:'card','aria-labelledby':'h-answers'},el('h2',{id:'h-answers'},'Answers'),
          el('dl',{},...structured.flatMap(([k,v])=>[el('dt',{},k),el('dd',{},String(v))])),
          i.description?el('div',{},el('h2',{style:'margin-top:14px'},"Patient's own words"),el('blockquote',{class:'card',style:'margin:0;background:#f8fafa'},i.description)):null),
        el('section',{class:'card','aria-labelledby':'h-excerpt'},el('h2',{id:'h-excerpt'},'Conversation excerpt (as the patient saw it)'),
          el('table',{class:'qa'},el('tbody',{},...excerpt.map(l=>el('tr',{},el('td',{},l.question),el('td',{},l.answer))))))),
      el('div',{class:'stack'},
        notice,
        pending.length?el('section',{class:'card','aria-labelledby':'h-pending'},el('h2',{id:'h-pending'},'Booking awaiting approval'),
          el('p',{class:'muted'},'Triage asked for a review before this booking is confirmed.'),
          el('ul',{class:'history'},...pending.map(p=>el('li',{},el('strong',{},p.when),' · '+(labels.department[p.department]||p.department||'')+(p.doctor?' · '+p.doctor:''),
            el('div',{class:'row'},el('button',{class:'primary',type:'button',onclick:async()=>{try{stopStream();await api('POST','/console/api/intakes/'+id+'/approve-appointment',{appointmentId:p.id});await intake(id,'Appointment approved; the patient has been told.');}catch(e){fail(e);}}},'Approve booking')))))):null,
        el('section',{class:'card','aria-labelledby':'h-acuity'},el('h2',{id:'h-acuity'},'Acuity'),el('div',{class:'levels',role:'group','aria-label':'Acuity level'},...levelButtons),
          el('label',{for:'reason'},'Reason'),reason,el('div',{class:'row'},decide)),
        el('section',{class:'card','aria-labelledby':'h-route'},el('h2',{id:'h-route'},'Route to department'),dept,
          el('div',{class:'row'},el('button',{class:'secondary',type:'button',onclick:async()=>{try{stopStream();await api('POST','/console/api/intakes/'+id+'/route',{department:dept.value});await intake(id,'Routed to '+labels.department[dept.value]+'.');}catch(e){fail(e);}}},'Route'))),
        el('section',{class:'card','aria-labelledby':'h-message'},el('h2',{id:'h-message'},'Message the patient'),
          el('p',{class:'muted'},'Templates are sent in the patient\\u2019s language; typed text is sent as typed, through their '+i.address.channel+' chat.'),
          el('label',{for:'template'},'Template'),template,el('label',{for:'message'},'Or type'),typed,
          el('div',{class:'row'},el('button',{class:'primary',type:'button',onclick:async()=>{try{const body=template.value?{template:template.value}:{text:typed.value};stopStream();await api('POST','/console/api/intakes/'+id+'/messages',body);await intake(id,'Message sent to the patient.');}catch(e){fail(e);}}},'Send message'))),
        el('section',{class:'card','aria-labelledby':'h-thread'},el('h2',{id:'h-thread'},'Conversation with the patient'),thread),
        el('section',{class:'card','aria-labelledby':'h-history'},el('h2',{id:'h-history'},'History'),
          i.actions.length?el('ul',{class:'history'},...i.actions.map(x=>el('li',{},el('strong',{},x.staff),' '+actionText(x),el('div',{class:'muted'},new Date(x.at).toLocaleString())))):el('p',{class:'muted'},'No action yet.'),
          closed?el('p',{class:'muted'},'Closed.'):el('div',{class:'row'},el('button',{class:'danger',type:'button',onclick:async()=>{try{stopStream();await api('POST','/console/api/intakes/'+id+'/close');location.hash='#/';}catch(e){fail(e);}}},'Close intake'))))));
  if(closed)[decide,...levelButtons].forEach(b=>b.disabled=true);
  if(flash)say(flash);
  // The patient's answers arrive live; a raised level or a new alert redraws the page. The
  // page's own actions close the stream first, so their change does not redraw the page over
  // their confirmation (the redraw after the action opens it again).
  stream=new EventSource('/console/api/stream');
  stream.addEventListener('intake',async(e)=>{if(JSON.parse(e.data).id!==id)return;
    try{const fresh=(await api('GET','/console/api/intakes/'+id)).intake;
      if(fresh.acuity!==i.acuity||fresh.typedRedFlags.length!==i.typedRedFlags.length||fresh.status!==i.status)return intake(id,fresh.typedRedFlags.length>i.typedRedFlags.length?'⚠ The patient wrote an emergency phrase: the level is now '+fresh.acuity+'.':'This intake was updated.');
      showThread(fresh.actions);}catch{}});
}
async function payments(flash){
  const {payments:list}=await api('GET','/console/api/payments');
  const notice=el('div',{role:'status','aria-live':'polite'});
  if(flash)notice.replaceChildren(el('div',{class:'notice'},flash));
  const form=el('div');
  const ACTIONS={
    refund:{title:'Refund',path:'refund',text:p=>'Refunds everything not yet refunded of '+p.amount+' (refunded so far: '+p.refunded+'). The patient is told in their chat.',button:'Refund now',done:(p,r)=>'Refunded '+p.receipt+': '+r.payment.refunded+' in all.'},
    cancel:{title:'Cancel the appointment of',path:'cancel-appointment',text:p=>'The hospital cancels the appointment of '+(p.appointmentStart||'')+' and refunds the full '+p.amount+', whatever the cancellation policy says. The patient is told in their chat.',button:'Cancel appointment and refund',done:p=>'Cancelled the appointment of '+p.receipt+' and refunded it in full.'}};
  function ask(p,kind){
    const a=ACTIONS[kind];
    const reason=el('textarea',{id:'action-reason',placeholder:'Reason (shown in the audit log)'});
    const error=el('p',{class:'error',role:'alert'});
    form.replaceChildren(el('section',{class:'card','aria-labelledby':'h-action',style:'margin-bottom:16px'},
      el('h2',{id:'h-action'},a.title+' '+p.receipt+' · '+p.patientName),
      el('p',{class:'muted'},a.text(p)),
      el('label',{for:'action-reason'},'Reason'),reason,
      el('div',{class:'row'},el('button',{class:'danger',type:'button',onclick:async()=>{try{const r=await api('POST','/console/api/payments/'+p.id+'/'+a.path,{reason:reason.value});await payments(a.done(p,r));}catch(e){error.textContent=e.message;}}},a.button),
        el('button',{class:'secondary',type:'button',onclick:()=>form.replaceChildren()},'Back')),error));
    reason.focus();
  }
  page('payments',el('h1',{},'Payments'),el('p',{class:'muted'},'Consultation fees by appointment, newest first. Times in the hospital\u2019s zone.'),notice,form,
    el('div',{class:'inbox'},el('table',{'aria-label':'Payments'},el('thead',{},el('tr',{},el('th',{},'Receipt'),el('th',{},'Patient'),el('th',{},'Appointment'),el('th',{class:'hide-narrow'},'Department'),el('th',{},'Amount'),el('th',{},'Refunded'),el('th',{},'Status'),el('th',{},''))),
      el('tbody',{},...(list.length?list.map(p=>el('tr',{'data-id':p.id},el('td',{},p.receipt),el('td',{},p.patientName),el('td',{},p.appointmentStart||'–'),
        el('td',{class:'hide-narrow'},labels.department[p.department]||p.department),el('td',{},p.amount),el('td',{},p.refunded),el('td',{},PAY_STATUS[p.status]||p.status),
        el('td',{class:'actions'},p.cancellable?el('button',{class:'secondary',type:'button',onclick:()=>ask(p,'cancel')},'Cancel appointment'):'',p.refundable?el('button',{class:'danger',type:'button',onclick:()=>ask(p,'refund')},'Refund'):''))):[el('tr',{},el('td',{colspan:'8',class:'empty'},'No payments yet.'))])))));
}
async function audit(){
  const {entries}=await api('GET','/console/api/audit');
  page('audit',el('h1',{},'Audit log'),el('p',{class:'muted'},'Every staff read of health data and every action, newest first.'),
    el('div',{class:'inbox'},el('table',{},el('thead',{},el('tr',{},el('th',{},'When'),el('th',{},'Who'),el('th',{},'Action'),el('th',{},'Subject'),el('th',{class:'hide-narrow'},'From'))),
      el('tbody',{},...entries.map(e=>el('tr',{},el('td',{},new Date(e.at).toLocaleString()),el('td',{},e.actorLabel),el('td',{},e.action),el('td',{},e.subjectType+' '+e.subjectId),el('td',{class:'hide-narrow'},e.ip||'')))))));
}
async function route(){
  if(!me)return;
  const hash=location.hash||'#/';
  try{
    const m=/^#\\/intakes\\/([0-9a-f-]{36})$/.exec(hash);
    if(m&&can(clinical))return await intake(m[1]);
    if(hash==='#/audit'&&can(['admin']))return await audit();
    if(hash==='#/payments'&&can(money))return await payments();
    if(can(clinical))return await inbox();
    if(can(['operator']))return await payments();
    if(can(['admin']))return await audit();
    page('',el('div',{class:'card'},el('h1',{},'Welcome'),el('p',{},'Nothing in the console needs your role yet.')));
  }catch(e){if(me)page('',el('p',{class:'error',role:'alert'},e.message));}
}
async function start(){
  try{const data=await api('GET','/console/api/me');me=data.staff;csrf=data.csrfToken;labels=data.labels;}catch{return;}
  await route();
}
window.addEventListener('hashchange',route);
fetch('/console/api/me',{credentials:'same-origin'}).then(r=>r.ok?start():showSignIn());
`;

export function consolePage(hospitalName: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Frontdoor console · ${escapeHtml(hospitalName)}</title>
<style>${STYLE}</style>
</head>
<body>
<div id="app"><main><p class="muted">Loading…</p></main></div>
<script>${SCRIPT}</script>
</body>
</html>`;
}
