/** The status line (what the page is doing) and the error box (what went wrong), with the errors kept for tests. */
export class StatusLine {
  /** Every error shown since the page loaded. */
  readonly errors: string[] = [];

  constructor(
    private readonly status: HTMLElement,
    private readonly error: HTMLElement,
  ) {}

  set(text: string): void {
    if (this.status.textContent !== text) this.status.textContent = text;
  }

  showError(text: string): void {
    this.errors.push(text);
    this.error.textContent = text;
    this.error.hidden = false;
  }

  hideError(): void {
    this.error.hidden = true;
  }
}
