// How a thrown value (our bug) is logged: its type, a short message and the stack frames. The log
// is for operators, but it still never carries request content: V8's JSON syntax errors quote the
// text they failed on (it may be a secret from an annotation), so their message is withheld.
const MESSAGE_MAX = 300;
const FRAMES_MAX = 30;

export interface FailureLogFields {
  type: string;
  message: string;
  stack: string;
}

export function failureLogFields(error: unknown): FailureLogFields {
  if (!(error instanceof Error)) return { type: typeof error, message: 'a non-Error value was thrown', stack: '' };
  const message =
    error instanceof SyntaxError
      ? 'withheld (a syntax error quotes the text it failed on)'
      : error.message.length > MESSAGE_MAX
        ? `${error.message.slice(0, MESSAGE_MAX)}...`
        : error.message;
  // The first lines of error.stack repeat the message; only the frames are kept.
  const frames = (error.stack ?? '').split('\n').filter((line) => line.startsWith('    at ')).slice(0, FRAMES_MAX);
  return { type: error.name, message, stack: frames.join('\n') };
}
