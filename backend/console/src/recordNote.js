import { ElMessage, ElMessageBox } from 'element-plus';

/**
 * Asks staff in one sentence what they did (a follow-up, an emergency handled) and, when they wrote it, sends it
 * with `save(note)`; says "已记下" or the API's words. Resolves true when it was recorded.
 */
export async function recordNote(question, title, save) {
  let note;
  try {
    ({ value: note } = await ElMessageBox.prompt(question, title, {
      confirmButtonText: '记下', cancelButtonText: '取消', inputValidator: (v) => (v && v.trim() ? true : '请写一句'),
    }));
  } catch {
    return false; // cancelled
  }
  try {
    await save(note);
    ElMessage.success('已记下');
    return true;
  } catch (e) {
    ElMessage.error(e.message);
    return false;
  }
}
