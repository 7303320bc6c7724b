/**
 * A bound on JSON nesting, checked on the text before it is parsed. V8 parses any depth, but JSON.stringify and
 * every recursive walk after it (the engine rewrite, schema checks, logging) overflow the stack at a few
 * thousand levels, so a body of `[[[[…]]]]` would turn into a 500 (or a retryable 503) deep inside the actor
 * instead of a clear 400 at the door. Real requests (chat messages, tool schemas) nest a few dozen levels.
 */
export const MAX_JSON_DEPTH = 128;

/** The deepest nesting of objects and arrays in `text` (strings skipped), scanning no further than `max` + 1. */
export function jsonDepth(text: string, max = MAX_JSON_DEPTH): number {
    let depth = 0;
    let deepest = 0;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (inString) {
            if (c === 0x5c) i++; // backslash: skip the escaped character
            else if (c === 0x22) inString = false;
        } else if (c === 0x22) inString = true;
        else if (c === 0x5b || c === 0x7b) {
            depth++;
            if (depth > deepest) {
                deepest = depth;
                if (deepest > max) return deepest;
            }
        } else if (c === 0x5d || c === 0x7d) depth--;
    }
    return deepest;
}

/** true when `text` nests objects and arrays deeper than `max`. */
export function nestsDeeperThan(text: string, max = MAX_JSON_DEPTH): boolean {
    return jsonDepth(text, max) > max;
}
