/* Keeps the library non-empty and lets tools report which feed formats they were built with. */
const char *tp_feeds_formats(void) { return "itch50 moldudp64 binaryfile"; }
