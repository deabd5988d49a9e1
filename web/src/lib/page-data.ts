// The data a server-rendered page hands its script: a JSON block, never an inline script.
export function pageData<T>(): T {
  const block = document.getElementById('fd-data');
  if (!block?.textContent) throw new Error('the page has no #fd-data block');
  return JSON.parse(block.textContent) as T;
}
