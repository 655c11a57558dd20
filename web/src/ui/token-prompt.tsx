import { useEffect, useRef, useState } from 'preact/hooks';
import { auth } from '../api/auth';

/** A modal asking for the API token; shown whenever the server refused the tab's requests. */
export function TokenPrompt({ refused }: { refused: boolean }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState('');
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  const submit = (event: Event) => {
    event.preventDefault();
    if (value.trim()) auth.setToken(value);
  };
  return (
    <dialog ref={dialog} class="token-prompt" aria-labelledby="token-title" onCancel={(e) => e.preventDefault()}>
      <form onSubmit={submit}>
        <h2 id="token-title">API token</h2>
        <p>This server needs an API token. It is kept for this tab only.</p>
        {refused && (
          <p class="error" role="alert">
            The server refused that token.
          </p>
        )}
        <label for="token-input">Token</label>
        <input
          id="token-input"
          name="token"
          type="password"
          autocomplete="off"
          required
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
        <div class="actions">
          <button type="submit" class="primary">
            Use token
          </button>
        </div>
      </form>
    </dialog>
  );
}
