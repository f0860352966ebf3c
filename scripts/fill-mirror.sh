#!/usr/bin/env bash
# Fills a Strata mirror folder (default: mirror/) with the sources listed in
# scripts/mirror-sources.txt, taken from Debian's archive, each filed under
# sha256/<hex>. Idempotent: files already in the mirror are not fetched again.
#
# It uses a private apt configuration (its own lists and cache under the
# mirror's .apt/ folder) whose entries are derived from this machine's own
# apt sources, with deb-src added and arm64 enabled, so the host's apt state
# is left alone and no archive host is written down anywhere.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
mirror="$(mkdir -p "${1:-$root/mirror}" && cd "${1:-$root/mirror}" && pwd)"
list="$here/mirror-sources.txt"

needed=()
while read -r kind pkg version file sha; do
  [[ -z "$kind" || "$kind" == \#* ]] && continue
  [ -f "$mirror/sha256/$sha" ] || needed+=("$kind|$pkg|$version|$file|$sha")
done < "$list"
if [ ${#needed[@]} -eq 0 ]; then
  echo "fill-mirror: $mirror already holds every listed source"
  exit 0
fi

apt_dir="$mirror/.apt"
mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/download"

# Derive deb + deb-src entries from the machine's own configuration.
derived="$apt_dir/sources.list.d/derived.sources"
: > "$derived"
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  awk 'BEGIN{RS=""; ORS="\n\n"} /(^|\n)Types:/ {
         gsub(/(^|\n)Types:[^\n]*/, "\nTypes: deb deb-src"); gsub(/\nArchitectures:[^\n]*/, ""); sub(/^\n/, ""); print }' "$f" >> "$derived"
done
oneline="$apt_dir/sources.list.d/derived.list"
: > "$oneline"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] || continue
  sed -nE 's/^deb(-src)?[[:space:]]+(\[[^]]*\][[:space:]]+)?(.*)$/\3/p' "$f" | sort -u | while read -r rest; do
    echo "deb $rest" >> "$oneline"
    echo "deb-src $rest" >> "$oneline"
  done
done

apt_opts=(
  -o Dir::Etc::SourceList=/dev/null
  -o Dir::Etc::SourceParts="$apt_dir/sources.list.d"
  -o Dir::State::Lists="$apt_dir/lists"
  -o Dir::Cache="$apt_dir/cache"
  -o Dir::State::status=/dev/null
  -o APT::Architectures::=amd64
  -o APT::Architectures::=arm64
  -o APT::Sandbox::User=root
  -o Debug::NoLocking=1
)
echo "fill-mirror: updating the private apt lists (deb-src, arm64)"
apt-get "${apt_opts[@]}" update -qq

cd "$apt_dir/download"
for entry in "${needed[@]}"; do
  IFS='|' read -r kind pkg version file sha <<< "$entry"
  spec="$pkg"
  [ "$version" != "*" ] && spec="$pkg=$version"
  echo "fill-mirror: $kind $spec"
  if [ "$kind" = source ]; then
    apt-get "${apt_opts[@]}" source --download-only -qq "$spec"
  else
    apt-get "${apt_opts[@]}" download -qq "$spec"
  fi
  actual="$(sha256sum "$file" | cut -d' ' -f1)"
  if [ "$actual" != "$sha" ]; then
    echo "fill-mirror: $file has sha256 $actual, expected $sha (listed in $list)" >&2
    exit 1
  fi
  node "$root/dist/core/cli/main.js" mirror import "$mirror" "$file"
done
rm -rf "$apt_dir/download"
echo "fill-mirror: $mirror is ready"
