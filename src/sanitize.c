/* sanitize: LeakSanitizer suppressions for third-party libraries, for every
 * sanitized binary (tests, the ASan build of floorcoach, fuzz targets). */

/* Why: these libraries keep memory for the life of the process by design, or
 * leak it in ways that are not ours:
 * - libconfig 1.5's parser leaks the text of a quoted string when a syntax
 *   error happens right at it (bison has no destructor for it);
 * - ALSA keeps its parsed configuration, and its plugins and the libraries
 *   they load (PulseAudio, JACK, D-Bus, GLib) keep their own;
 * - eSpeak NG keeps a few global tables; PocketSphinx 0.8 leaks a grammar
 *   and segment-list nodes (below). */
#if defined(__SANITIZE_ADDRESS__)
#define FC_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FC_LSAN 1
#endif
#endif

#ifdef FC_LSAN
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
    return "leak:libconfig.so\n"
           /* PocketSphinx 0.8: ps_set_jsgf_string keeps the parsed grammar,
            * ps_seg_iter leaks one list node per segment. */
           "leak:ps_set_jsgf_string\nleak:ps_seg_iter\nleak:libsphinxbase.so\n"
           "leak:libasound\nleak:libpulse\nleak:libportaudio\nleak:libjack\n"
           "leak:libav\nleak:libspeex.so\nleak:libdbus\nleak:libglib\nleak:_dl_\n";
}
#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int sanitize_unused;
#endif
