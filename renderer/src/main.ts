// The window's entry: connect to the studio (IPC or HTTP), set up the stores,
// route events, show the app. Anything that fails on the way is shown, not swallowed.
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { provideStudioApi } from './api/client';
import { connectStudio } from './api/connect';
import { errorInfo, useAppStore } from './stores/app';
import { routeEvents } from './stores/events';
import { useJobsStore } from './stores/jobs';
import { useModelsStore } from './stores/models';
import './styles/base.css';

const pinia = createPinia();
const app = createApp(App).use(pinia);
const appStore = useAppStore(pinia);

app.config.errorHandler = (e) => appStore.reportError('Something went wrong', e);
window.addEventListener('unhandledrejection', (e) => appStore.reportError('Something went wrong', e.reason));

try {
  let wasConnected = true;
  const api = connectStudio((connected) => {
    appStore.connected = connected;
    // Events may have been missed while the stream was down.
    if (connected && !wasConnected) void useJobsStore(pinia).refresh().catch(() => {});
    wasConnected = connected;
  });
  provideStudioApi(api);
  routeEvents(api);
  void appStore.init();
  void useModelsStore(pinia).loadRecent();
} catch (e) {
  appStore.bootError = errorInfo(e);
}
app.mount('#app');
