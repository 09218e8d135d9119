# Sourced by benchmarks: `generate_venue DIR COUNT SCREENS` writes DIR/vitrine.yaml (one playlist of COUNT
# generated exhibits, then SCREENS, a printf format holding the `screens:` block) and DIR/exhibits/exhibit-N, each a
# testimony, a summary, a section of prose and a picture (copied from the demo).
generate_venue() {
    local dir=$1 count=$2 screens=$3 paragraph i d
    mkdir -p "$dir/exhibits"
    {
        printf 'timezone: Europe/Paris\nthemes:\n  paper: { background: "#FFFFFF", text: "#111111" }\nplaylists:\n  main:\n'
        for i in $(seq 0 $((count - 1))); do printf '    - exhibit-%d\n' "$i"; done
        printf "$screens"
    } > "$dir/vitrine.yaml"
    paragraph=$(printf 'Words that fill a paragraph of ordinary length for a gallery panel. %.0s' {1..8})
    for i in $(seq 0 $((count - 1))); do
        d="$dir/exhibits/exhibit-$i"
        mkdir -p "$d"
        cp config/exhibits/harbour-workshop/harbour.png "$d/photo.png"
        cat > "$d/exhibit.md" <<MD
---
series: Generated
title: Exhibit number $i
summary: A generated exhibit used to measure how fast a large content folder is checked.
testimony:
  quote: "We counted the days by the bread, and the bread by the days."
  speaker: Witness $i
  role: prisoner
  context: recorded for the size test
images:
  - file: photo.png
    alt: A generated picture.
    caption: Picture $i.
---
## Section

$paragraph

![A generated picture](photo.png)
MD
    done
}
