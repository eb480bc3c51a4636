import { useEffect, useState } from "preact/hooks";
import { ApiError, type DevPersona, devLogin, devPersonas } from "./api";

/** Log in with the development login (pick a persona) or paste a token (kept in sessionStorage, never in a URL). */
export function Login(props: { error: string | null; onToken: (token: string) => void }) {
  const [personas, setPersonas] = useState<DevPersona[] | null>(null);
  const [picked, setPicked] = useState("");
  const [pasted, setPasted] = useState("");
  const [error, setError] = useState<string | null>(props.error);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    devPersonas().then(
      (list) => {
        const usable = list?.filter((p) => p.operator || (p.nin && p.method)) ?? null;
        setPersonas(usable);
        if (usable?.[0]) setPicked(usable[0].key);
      },
      () => setPersonas(null),
    );
  }, []);

  const logIn = async (event: Event) => {
    event.preventDefault();
    const persona = personas?.find((p) => p.key === picked);
    if (!persona) return;
    setBusy(true);
    setError(null);
    try {
      props.onToken(await devLogin(persona));
    } catch (e) {
      setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
    } finally {
      setBusy(false);
    }
  };

  const usePasted = (event: Event) => {
    event.preventDefault();
    const token = pasted.trim().replace(/^Bearer\s+/i, "");
    if (token) props.onToken(token);
  };

  return (
    <div class="login">
      <h1>Portal dashboard</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {personas ? (
        <form onSubmit={logIn} data-testid="dev-login">
          <h2>Development login</h2>
          <label>
            Persona{" "}
            <select name="persona" value={picked} onChange={(e) => setPicked((e.target as HTMLSelectElement).value)}>
              {personas.map((p) => (
                <option value={p.key} key={p.key}>
                  {p.key} — {p.description}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy}>
            Log in
          </button>
        </form>
      ) : (
        <p>The development login is not enabled on this gateway: paste a token.</p>
      )}
      <form onSubmit={usePasted} data-testid="token-login">
        <h2>Or paste an access token</h2>
        <textarea name="token" rows={4} value={pasted} onInput={(e) => setPasted((e.target as HTMLTextAreaElement).value)} placeholder="eyJ…" />
        <button type="submit">Use token</button>
      </form>
    </div>
  );
}
