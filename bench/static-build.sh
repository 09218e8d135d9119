# Sourced by the benchmarks that measure the daemon as packaged: a release build linked with --static-swift-stdlib,
# in its own build folder. Sets `bin` to the binary and `work` to a fresh folder holding a copy of the demo exhibits.
swift build -c release --static-swift-stdlib --product vitrine --scratch-path .build-static >/dev/null
bin=$PWD/.build-static/release/vitrine
work=$(mktemp -d)
cp -r config/exhibits "$work/exhibits"
