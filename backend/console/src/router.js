import { createRouter, createWebHashHistory } from 'vue-router';
import { session } from './api.js';
import LoginPage from './pages/LoginPage.vue';
import ShellLayout from './pages/ShellLayout.vue';
import FindElderPage from './pages/FindElderPage.vue';
import FileReadsPage from './pages/FileReadsPage.vue';
import RegisterElderPage from './pages/RegisterElderPage.vue';
import OrderPage from './pages/OrderPage.vue';
import ReceiptPage from './pages/ReceiptPage.vue';
import ForbiddenPage from './pages/ForbiddenPage.vue';
import TodayPage from './pages/TodayPage.vue';
import MealCardPage from './pages/MealCardPage.vue';
import StationPage from './pages/StationPage.vue';
import TasksPage from './pages/TasksPage.vue';
import HotlinePage from './pages/HotlinePage.vue';
import VisitReviewPage from './pages/VisitReviewPage.vue';

const everyone = ['Clerk', 'Caregiver', 'StationManager', 'Officer', 'HotlineAgent'];

export const routes = [
  { path: '/login', component: LoginPage, meta: { public: true } },
  {
    path: '/',
    component: ShellLayout,
    children: [
      { path: '', redirect: '/elders' },
      { path: 'elders', component: FindElderPage, meta: { title: '查找老人', roles: everyone } },
      { path: 'order/:elderId(\\d+)', component: OrderPage, meta: { title: '为老人下单', roles: ['Clerk', 'StationManager', 'HotlineAgent'] } },
      { path: 'receipts/:paymentId(\\d+)', component: ReceiptPage, meta: { title: '收款凭证', roles: ['Clerk', 'StationManager'], printable: true } },
      { path: 'today', component: TodayPage, meta: { title: '今日工作', roles: ['Clerk', 'Caregiver', 'StationManager', 'Officer'] } },
      { path: 'elders/:elderId(\\d+)/meal-card', component: MealCardPage, meta: { title: '助餐卡', roles: ['Clerk', 'StationManager'], printable: true } },
      { path: 'hotline', component: HotlinePage, meta: { title: '热线与紧急求助', roles: ['Clerk', 'StationManager', 'HotlineAgent', 'Officer'] } },
      { path: 'tasks', component: TasksPage, meta: { title: '待办跟进', roles: ['Clerk', 'Caregiver', 'StationManager'] } },
      { path: 'visits', component: VisitReviewPage, meta: { title: '上门核查', roles: ['Clerk', 'StationManager'] } },
      { path: 'station', component: StationPage, meta: { title: '驿站管理', roles: ['StationManager', 'Officer'] } },
      { path: 'register', component: RegisterElderPage, meta: { title: '老人建档', roles: ['Clerk', 'StationManager'] } },
      { path: 'file-reads', component: FileReadsPage, meta: { title: '档案查阅记录', roles: ['Officer'] } },
      { path: 'forbidden', component: ForbiddenPage, meta: { title: '没有权限', roles: everyone } },
    ],
  },
];

export function createConsoleRouter() {
  const router = createRouter({ history: createWebHashHistory('/console/'), routes });
  // Each screen names the roles it serves; the API refuses the others as well, this only spares a useless page.
  router.beforeEach((to) => {
    if (to.meta.public) return true;
    const current = session.get();
    if (!current) return { path: '/login', query: { next: to.fullPath } };
    if (to.meta.roles && !to.meta.roles.includes(current.role)) return { path: '/forbidden' };
    return true;
  });
  return router;
}
