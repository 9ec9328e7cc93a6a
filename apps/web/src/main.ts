/**
 * The page's entry: finds the elements, starts the app (app.ts) with its workers, the toolbar and inputs
 * (actions.ts), the render loop (render-loop.ts) and the test window (test-api.ts), and registers the
 * service worker of the production build.
 */
import { bindActions } from './actions.js';
import { App } from './app.js';
import { findElements } from './elements.js';
import { startRenderLoop } from './render-loop.js';
import { installTestApi } from './test-api.js';

const app = new App(findElements(document));
bindActions(app);
startRenderLoop(app);
installTestApi(app);

if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker
    .register('./sw.js')
    .catch((e: Error) => app.notices.set('offline', 'warning', `Offline mode unavailable: ${e.message}`));
}
