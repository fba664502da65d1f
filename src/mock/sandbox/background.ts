/**
 * Work the sandbox does after answering (examining a committed package, signing a preprod package). Tracked so that
 * stop() can wait for it instead of pulling Azurite out from under a running upload.
 */
export class BackgroundTasks {
  readonly #running = new Set<Promise<void>>();
  readonly #failures: unknown[] = [];

  /**
   * `task` records expected failures (a bad package) in the sandbox's state itself. A rejection is a sandbox bug:
   * it is kept and rethrown by `settled()` rather than lost or crashing the process.
   */
  run(task: () => Promise<void>): void {
    const promise: Promise<void> = task()
      .catch((error: unknown) => {
        this.#failures.push(error);
      })
      .finally(() => this.#running.delete(promise));
    this.#running.add(promise);
  }

  /** Resolves when every task started so far has finished; rejects with the first task failure seen. */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
    if (this.#failures.length > 0) throw this.#failures[0];
  }
}
