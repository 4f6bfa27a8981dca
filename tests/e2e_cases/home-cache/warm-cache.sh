# writes its cache under $HOME, as pip, npm and XDG-aware tools do
set -e
cache="${XDG_CACHE_HOME:-$HOME/.cache}/warm"
mkdir -p "$cache"
echo "warmed" > "$cache/state"
echo "home=$HOME cache=$(cat "$cache/state")"
