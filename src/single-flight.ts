export interface SingleFlightOptions {
  /** One pass of the work. */
  pass: () => Promise<void>;
  /** Asked before a pass requested while the previous one ran: false ends the run instead (default: always true). */
  passAgain?: () => boolean;
  /** Runs after the last pass, still within the run: callers awaiting it see it done. */
  succeeded?: () => void;
  /** Runs when a pass fails, still within the run; what it throws, the run rejects with. */
  failed?: (err: unknown) => void;
}

export interface SingleFlight {
  /**
   * Starts a run, or, while one is running, asks it for one more pass and returns it: however many
   * ask meanwhile, one more pass, never two at once.
   */
  run(): Promise<void>;
  /** The run in progress, if any. */
  readonly current: Promise<void> | null;
}

/** Work that runs one at a time and runs again if asked while running (lease rounds, history writes). */
export function singleFlight(options: SingleFlightOptions): SingleFlight {
  let current: Promise<void> | null = null;
  let running = false;
  let again = false;

  const passes = async () => {
    running = true;
    try {
      do {
        again = false;
        await options.pass();
      } while (again && (options.passAgain?.() ?? true));
      options.succeeded?.();
    } catch (err) {
      options.failed?.(err);
    } finally {
      running = false;
      current = null;
    }
  };

  return {
    run() {
      if (current) {
        again = true;
        return current;
      }
      const flight = passes();
      // A pass that threw before its first await has ended the run already.
      if (running) current = flight;
      return flight;
    },
    get current() {
      return current;
    },
  };
}
