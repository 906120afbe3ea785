/**
 * Tells the admin about an operation's ending when the window is not looked at: a system
 * notification where the page already has permission (Electron's permission handler
 * denies it, so the app never asks), and a count in the window title until it is seen again.
 */
let unseen = 0;
let baseTitle: string | undefined;

function showCount() {
  baseTitle ??= document.title;
  document.title = unseen > 0 ? `(${unseen}) ${baseTitle}` : baseTitle;
}

function onVisible() {
  if (document.visibilityState !== 'visible' || unseen === 0) return;
  unseen = 0;
  showCount();
}

let listening = false;

export function callAttention(title: string, body: string): void {
  if (typeof document === 'undefined') return;
  if (!listening) {
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('focus', onVisible);
    listening = true;
  }
  const background = document.visibilityState !== 'visible' || !document.hasFocus();
  if (!background) return;
  unseen += 1;
  showCount();
  if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
    const notification = new Notification(title, { body });
    notification.onclick = () => window.focus();
  }
}
