// The waiting-room display's entry: renders the board into the page the server sent.
import { render } from 'preact';
import type { DisplayBoot } from '../../../src/features/queue/display-page.ts';
import { pageData } from '../lib/page-data.ts';
import { Display } from './display.tsx';
import './display.css';

render(<Display boot={pageData<DisplayBoot>()} />, document.getElementById('app')!);
