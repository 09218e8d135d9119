// The floor for film on a framebuffer: libmpv decoding a film and rendering each picture with its software renderer
// into a 1920x1080 XRGB8888 buffer in memory, nothing else (no device, no page, no Swift). Prints the CPU time spent
// per second of film and the pictures rendered.
// Usage: film_floor FILM SECONDS      Build: cc -O2 film_floor.c $(pkg-config --cflags --libs mpv) -lpthread
#include <mpv/client.h>
#include <mpv/render.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t due = PTHREAD_COND_INITIALIZER;
static int pending = 0;

static void on_update(void *unused) {
    (void)unused;
    pthread_mutex_lock(&lock);
    pending = 1;
    pthread_cond_signal(&due);
    pthread_mutex_unlock(&lock);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: film_floor FILM SECONDS\n"); return 2; }
    double seconds = atof(argv[2]);
    mpv_handle *mpv = mpv_create();
    const char *options[][2] = {{"config", "no"}, {"terminal", "no"}, {"vo", "libmpv"}, {"ao", "null"},
                                {"hwdec", "no"}, {"keep-open", "yes"}, {"osd-level", "0"}};
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) mpv_set_option_string(mpv, options[i][0], options[i][1]);
    if (mpv_initialize(mpv) < 0) { fprintf(stderr, "mpv_initialize failed\n"); return 1; }
    mpv_render_param create[] = {{MPV_RENDER_PARAM_API_TYPE, MPV_RENDER_API_TYPE_SW}, {0}};
    mpv_render_context *render;
    if (mpv_render_context_create(&render, mpv, create) < 0) { fprintf(stderr, "no sw renderer\n"); return 1; }
    mpv_render_context_set_update_callback(render, on_update, NULL);
    const char *load[] = {"loadfile", argv[1], NULL};
    mpv_command(mpv, load);

    int size[2] = {1920, 1080};
    size_t stride = 1920 * 4;
    void *pixels = aligned_alloc(64, stride * 1080);
    char format[] = "bgr0";
    mpv_render_param draw[] = {{MPV_RENDER_PARAM_SW_SIZE, size}, {MPV_RENDER_PARAM_SW_FORMAT, format},
                               {MPV_RENDER_PARAM_SW_STRIDE, &stride}, {MPV_RENDER_PARAM_SW_POINTER, pixels}, {0}};
    double start = now(), cpu0 = cpu();
    long frames = 0;
    while (now() - start < seconds) {
        pthread_mutex_lock(&lock);
        while (!pending) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 100000000;
            if (until.tv_nsec >= 1000000000) { until.tv_sec++; until.tv_nsec -= 1000000000; }
            if (pthread_cond_timedwait(&due, &lock, &until) != 0) break;
        }
        pending = 0;
        pthread_mutex_unlock(&lock);
        while (mpv_wait_event(mpv, 0)->event_id != MPV_EVENT_NONE) {}
        if (mpv_render_context_update(render) & MPV_RENDER_UPDATE_FRAME) {
            mpv_render_context_render(render, draw);
            frames++;
        }
    }
    double elapsed = now() - start, used = cpu() - cpu0;
    printf("film_floor_cpu_per_film_second: %.3f s (%.1f %% of one core)\n", used / elapsed, 100 * used / elapsed);
    printf("film_floor_pictures: %ld in %.1f s\n", frames, elapsed);
    // Its memory while playing: what libmpv alone needs for the film (the bound on any player built on it).
    FILE *rollup = fopen("/proc/self/smaps_rollup", "r");
    char line[256];
    while (rollup && fgets(line, sizeof line, rollup))
        if (strncmp(line, "Pss:", 4) == 0) printf("film_floor_pss: %.1f MiB\n", atof(line + 4) / 1024);
    if (rollup) fclose(rollup);
    mpv_render_context_free(render);
    mpv_terminate_destroy(mpv);
    return 0;
}
