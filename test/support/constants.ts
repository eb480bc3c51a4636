/** A fixed data-encryption key for tests: the template database's API secrets are sealed with it. */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");
