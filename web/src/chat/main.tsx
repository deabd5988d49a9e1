// The web chat's entry: renders the chat over the shell the server sent.
import { render } from 'preact';
import { pageData } from '../lib/page-data.ts';
import { Chat, type ChatBoot } from './chat.tsx';
import './chat.css';

const root = document.getElementById('chat')!;
// The server's shell (title and composer, shown before this runs) gives way to the live page.
root.replaceChildren();
render(<Chat boot={pageData<ChatBoot>()} />, root);
