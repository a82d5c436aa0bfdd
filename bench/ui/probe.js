// bench:ui's probe, run in the page before its own scripts (page.addInitScript): when the first event
// row appeared, when the page was live and then free for input, and the time of every animation frame,
// by phase. While `scrolling`, it scrolls the event stream 60 px a frame, turning at either end and
// every 2 s, as a person reading up and down would.
(() => {
  const probe = {
    firstRowAt: undefined,
    liveAt: undefined,
    interactiveAt: undefined,
    phase: undefined,
    frames: {},
    scrolling: false,
    /** Set by the bench: from `at` (performance.now()), `following` for `followingMs`, then `scrolling` for `scrollingMs`. */
    schedule: undefined,
  };
  Object.defineProperty(window, 'benchProbe', { value: probe });
  const seen = () => {
    if (probe.firstRowAt === undefined && document.querySelector('[data-testid=event-row]'))
      probe.firstRowAt = performance.now();
    if (probe.liveAt === undefined && document.querySelector('[data-testid=connection][data-state=live]'))
      probe.liveAt = performance.now();
    if (probe.firstRowAt !== undefined && probe.liveAt !== undefined) {
      observer.disconnect();
      // Interactive: the first animation frame after both, i.e. the main thread got free to answer.
      requestAnimationFrame(() => (probe.interactiveAt = performance.now()));
    }
  };
  const observer = new MutationObserver(seen);
  observer.observe(document, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ['data-state'],
  });

  let last;
  let direction = -1;
  let framesThisWay = 0;
  const frame = (time) => {
    // Phases run on the page's own clock, so a page too busy to answer the bench still changes phase on time.
    const plan = probe.schedule;
    if (plan) {
      const elapsed = performance.now() - plan.at;
      const phase =
        elapsed < plan.followingMs
          ? 'following'
          : elapsed < plan.followingMs + plan.scrollingMs
            ? 'scrolling'
            : undefined;
      probe.phase = phase;
      probe.scrolling = phase === 'scrolling';
      // The stream's time is up: a page that defines benchStop (the naive one) stops taking frames, so
      // that the bench can read it (messages it has not got to yet are then dropped by the browser).
      if (phase === undefined && !probe.ended) {
        probe.ended = true;
        window.benchStop?.();
      }
    }
    if (probe.phase !== undefined && last !== undefined) (probe.frames[probe.phase] ??= []).push(time - last);
    last = time;
    if (probe.scrolling) {
      const element = document.querySelector('[data-testid=event-stream]');
      if (element) {
        element.scrollTop += direction * 60;
        framesThisWay += 1;
        const atTop = element.scrollTop <= 0;
        const atBottom = element.scrollTop + element.clientHeight >= element.scrollHeight - 2;
        if ((direction < 0 && atTop) || (direction > 0 && atBottom) || framesThisWay >= 120) {
          direction = -direction;
          framesThisWay = 0;
        }
      }
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();
