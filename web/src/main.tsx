import { render } from 'preact';
import { Root } from './app';
import { servicesStore } from './dashboard/services-store';
import './styles.css';

// The list is asked for before the first render, not after it.
if (location.pathname === '/') servicesStore.start();
render(<Root />, document.getElementById('app')!);
