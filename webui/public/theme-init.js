// Apply the remembered theme (or the kiosk's ?theme=) before first paint so the page does not flash.
(function () {
  try {
    var p = new URLSearchParams(location.search).get('theme');
    var kiosk = location.pathname.indexOf('/kiosk') === 0 && (p === 'dark' || p === 'light');
    var t = kiosk ? p : localStorage.getItem('powerpulse.theme');
    if (t === 'dark' || t === 'light') document.documentElement.dataset.theme = t;
  } catch (e) {
    /* storage unavailable: the system theme applies */
  }
})();
