// The small component library the console's views are built from.
import type { ComponentChildren, JSX } from 'preact';

export function Card(props: { title: string; id: string; children?: ComponentChildren; class?: string }) {
  return (
    <section class={`card ${props.class ?? ''}`} aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** A polite status line: a confirmation, or an error as an alert. */
export function Notice(props: { notice?: { text: string; error?: boolean } | undefined }) {
  const { notice } = props;
  return (
    <div role="status" aria-live="polite">
      {notice &&
        (notice.error ? (
          <p class="error" role="alert">
            {notice.text}
          </p>
        ) : (
          <div class="notice">{notice.text}</div>
        ))}
    </div>
  );
}

/** A table in the inbox's frame, with a row standing in when there are none. */
export function DataTable(props: {
  label?: string;
  /** Added to the box's class, for a table's own layout. */
  class?: string;
  head: { text: string; narrow?: boolean }[];
  empty: string;
  children: JSX.Element[];
}) {
  return (
    <div class={props.class ? `inbox ${props.class}` : 'inbox'}>
      <table aria-label={props.label}>
        <thead>
          <tr>
            {props.head.map((column, index) => (
              <th key={index} class={column.narrow ? 'hide-narrow' : undefined}>
                {column.text}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.children.length ? (
            props.children
          ) : (
            <tr>
              <td colSpan={props.head.length} class="empty">
                {props.empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** Definition list of label/value pairs. */
export function Facts(props: { rows: [string, ComponentChildren][] }) {
  return (
    <dl>
      {props.rows.flatMap(([term, value], index) => [
        <dt key={`t${index}`}>{term}</dt>,
        <dd key={`d${index}`}>{value}</dd>,
      ])}
    </dl>
  );
}
