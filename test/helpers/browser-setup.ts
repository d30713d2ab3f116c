import { afterAll } from "vitest";

import { closeSharedChromium } from "./browser";

// Each browser test file shares one Chromium (test/helpers/browser.ts); it closes after the file.
afterAll(closeSharedChromium);
