// How anything the user wrote may appear in a message. Denials end up in the StatefulSet's
// FailedCreate events, which anyone who can list events in the namespace reads, so messages carry
// field paths and names only, never values (an env value, a command line, a config may be a
// secret), and a name is quoted, escaped and cut short so a 200 KB "name" cannot fill an event.
const MAX_NAME = 63;

/** A name (container, volume, env var, image...) as a message shows it: "name", at most max characters. */
export function quoteName(name: string, max = MAX_NAME): string {
  const cut = name.length > max ? `${name.slice(0, max)}...` : name;
  return JSON.stringify(cut);
}
