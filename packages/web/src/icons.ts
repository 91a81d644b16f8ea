/** Inline stroke icons (24×24), drawn for this app; no icon font or external file. */
const PATHS = {
  mic: '<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21M8.5 21h7"/>',
  micOff:
    '<path d="M15 10V6a3 3 0 0 0-5.7-1.3M9 9v2a3 3 0 0 0 5 2.2M18.5 11a6.5 6.5 0 0 1-1 3.5M5.5 11a6.5 6.5 0 0 0 10.4 5.2M12 17.5V21M8.5 21h7M4 4l16 16"/>',
  camera: '<rect x="2.5" y="6" width="13" height="12" rx="2.5"/><path d="M15.5 10.5l6-3.5v10l-6-3.5z"/>',
  cameraOff:
    '<path d="M10 6h3a2.5 2.5 0 0 1 2.5 2.5v3M15.5 15.5V15a2.5 2.5 0 0 1-2.5 3H5a2.5 2.5 0 0 1-2.5-2.5v-7A2.5 2.5 0 0 1 5 6M15.5 10.5l6-3.5v10l-3-1.7M3 3l18 18"/>',
  screen: '<rect x="2.5" y="4" width="19" height="13" rx="2"/><path d="M8 21h8M12 17v4M12 13.5V8M9.5 10.5 12 8l2.5 2.5"/>',
  leave:
    '<path d="M3.2 14.6c4.9-4.5 12.7-4.5 17.6 0 .5.5.5 1.2.1 1.7l-1.4 1.6c-.4.5-1.1.5-1.6.2l-2.3-1.5c-.4-.3-.6-.7-.5-1.2l.3-1.6a11 11 0 0 0-6.8 0l.3 1.6c.1.5-.1.9-.5 1.2l-2.3 1.5c-.5.3-1.2.3-1.6-.2l-1.4-1.6c-.4-.5-.4-1.2.1-1.7z"/>',
  alert: '<circle cx="12" cy="12" r="9"/><path d="M12 7.5v5.5M12 16.5v.01"/>',
  logo: '<circle cx="6" cy="12" r="2.5"/><circle cx="18" cy="6" r="2.5"/><circle cx="18" cy="18" r="2.5"/><path d="M8.3 11l7.4-3.8M8.3 13l7.4 3.8"/>',
} as const;

export type IconName = keyof typeof PATHS;

export function icon(name: IconName, className = "icon"): SVGSVGElement {
  const template = document.createElement("template");
  template.innerHTML = `<svg class="${className}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${PATHS[name]}</svg>`;
  return template.content.firstElementChild as SVGSVGElement;
}
