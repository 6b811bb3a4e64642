// Steeple's service worker: browser notifications only (no caching). Registered from the account page when someone
// turns notifications on; the server sends {title, body, url, tag} (server/notifications/compose.ts, pushesOf).
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const title = data.title || 'Steeple';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || '',
      tag: data.tag,
      icon: '/icon.svg',
      data: { url: data.url || '/inbox' },
    }),
  );
});

// Clicking opens the thread: in a Steeple tab already open when there is one, else in a new one. Only our own pages.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || '/inbox', self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil(
    (async () => {
      const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const tab = tabs.find((c) => new URL(c.url).origin === target.origin);
      if (tab) {
        await tab.focus();
        return tab.navigate(target.href);
      }
      return self.clients.openWindow(target.href);
    })(),
  );
});
