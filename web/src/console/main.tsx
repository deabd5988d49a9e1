// The staff console's entry: renders the app into the page the server sent.
import { render } from 'preact';
import { pageData } from '../lib/page-data.ts';
import { ConsoleApp } from './app.tsx';
import type { ConsoleBoot } from './context.ts';
import './console.css';

render(<ConsoleApp boot={pageData<ConsoleBoot>()} />, document.getElementById('app')!);
