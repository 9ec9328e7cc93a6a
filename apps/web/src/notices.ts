/**
 * Notices under the status line: warnings (an invalid link), errors (a run that failed) and offers (undo
 * a discarded model). Each stays until the user dismisses it or what it is about changes: nothing
 * vanishes on a timer.
 */
export type NoticeKind = 'warning' | 'error' | 'offer';

export interface NoticeAction {
  label: string;
  run(): void;
}

export class Notices {
  private readonly items = new Map<string, { li: HTMLLIElement; text: string; kind: NoticeKind }>();
  /** Every error and warning shown since the page loaded (for the test window). */
  readonly shown: string[] = [];

  constructor(private readonly list: HTMLUListElement) {}

  /** Shows (or replaces) the notice `key`. */
  set(key: string, kind: NoticeKind, text: string, action?: NoticeAction): void {
    const old = this.items.get(key);
    if (old && old.text === text && old.kind === kind) return;
    old?.li.remove();
    const li = document.createElement('li');
    li.className = `notice ${kind}`;
    li.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    li.dataset.key = key;
    const p = Object.assign(document.createElement('span'), { textContent: text });
    li.append(p);
    if (action) {
      const b = Object.assign(document.createElement('button'), { type: 'button', textContent: action.label, className: 'notice-action' });
      b.addEventListener('click', () => {
        this.clear(key);
        action.run();
      });
      li.append(b);
    }
    const close = Object.assign(document.createElement('button'), { type: 'button', textContent: '×', className: 'notice-close' });
    close.setAttribute('aria-label', 'Dismiss');
    close.addEventListener('click', () => this.clear(key));
    li.append(close);
    this.list.append(li);
    this.items.set(key, { li, text, kind });
    if (kind !== 'offer') this.shown.push(text);
  }

  clear(key: string): void {
    this.items.get(key)?.li.remove();
    this.items.delete(key);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  text(key: string): string | undefined {
    return this.items.get(key)?.text;
  }
}
