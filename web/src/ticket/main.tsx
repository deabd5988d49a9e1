// The live ticket page's entry: renders the ticket into the page the server sent.
import { render } from 'preact';
import type { TicketBoot } from '../../../src/features/queue/patient-pages.ts';
import { pageData } from '../lib/page-data.ts';
import { Ticket } from './ticket.tsx';
import './ticket.css';

render(<Ticket boot={pageData<TicketBoot>()} />, document.getElementById('app')!);
