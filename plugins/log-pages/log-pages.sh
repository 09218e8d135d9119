#!/bin/sh
# A minimal Vitrine exec plugin in shell: says it is ready, then logs every message it receives (standard error
# goes to the daemon's log with the screen's name) until `shutdown`. A start for a plugin of your own.
while IFS= read -r line; do
    case "$line" in
        *'"type":"hello"'*)
            printf '{"type":"ready","protocol":1,"measure":{"columns":60,"rows":12}}\n' ;;
        *'"type":"shutdown"'*)
            echo "log-pages: shutdown" >&2
            exit 0 ;;
        *)
            echo "log-pages: received $line" >&2 ;;
    esac
done
