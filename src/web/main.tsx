// The Backup center's entry: mounts the app into the page GET /portal serves.
import { render } from 'preact';
import { App } from './app.tsx';

render(<App />, document.getElementById('app')!);
