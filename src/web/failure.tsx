// What a view shows before its data arrives: the error that stopped it, or that it is loading.
export function Failure(props: { error?: string | undefined }) {
  return props.error ? <p class="error" role="alert">{props.error}</p> : <p class="loading">Loading…</p>;
}
