// How the chat page turns a message's call buttons into links.

/** A tel: link the phone dials as written, spaces and dashes removed. */
export const telHref = (number: string): string => `tel:${number.replace(/[^0-9+]/g, '')}`;
