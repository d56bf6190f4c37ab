import { createApp } from 'vue';
import ElementPlus from 'element-plus';
import zhCn from 'element-plus/es/locale/lang/zh-cn';
import 'element-plus/dist/index.css';
import './console.css';
import App from './App.vue';
import { createConsoleRouter } from './router.js';
import { whenLoggedOut } from './api.js';

const router = createConsoleRouter();
whenLoggedOut(() => router.push({ path: '/login', query: { expired: '1' } }));
createApp(App).use(ElementPlus, { locale: zhCn }).use(router).mount('#app');
