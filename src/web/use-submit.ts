// A form's submit: its fields to `action`, the button disabled while it runs, its error shown.
import { useState } from 'preact/hooks';

export function useSubmit(action: (form: FormData) => Promise<void>): { submit: (e: Event) => Promise<void>; busy: boolean; error: string } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await action(new FormData(e.currentTarget as HTMLFormElement));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return { submit, busy, error };
}
