# The key that seals second-factor keys at rest (LUOTSI_SECRET_KEY_FILE): 32 random bytes in
# base64, in a file only its owner reads. For throwaway servers (tests, drills, the local demo);
# production makes its own (deploy/systemd/luotsi.env.example, docs/operations.md).

# secret_key_file PATH: creates the key file at PATH unless it exists, and prints PATH.
secret_key_file() {
    local path=$1
    if [ ! -s "$path" ]; then
        (umask 077; python3 -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())' >"$path")
    fi
    echo "$path"
}
