/**
 * The most bytes of one answer the HTTP client takes (createApiHttp's maxContentLength); a longer answer fails its
 * request (network-failure.ts: "an answer too large to be a page"). A 500-record Ivanti search page is ~650 KB. Its own
 * module, free of imports: the device record codec bounds what it decompresses by it (device-record-codec.ts), and is
 * loaded where the HTTP client is not (migrations, the upgrade window).
 */
export const LONGEST_ANSWER_BYTES = 64 * 1024 * 1024;
