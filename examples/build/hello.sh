# The seed example's build script: run by the bootstrap tools' bash in the sandbox, with PATH holding
# the tools' bin/ (busybox applets). It writes a program that names its own store path and the bash
# it runs with, so the output refers to itself (stored modulo self-reference) and to bootstrap-tools.
mkdir -p "$out/bin" "$out/share"
echo "hello from Nomia" > "$out/share/greeting"
cat > "$out/bin/hello" <<SCRIPT
#!$exe
read -r line < $out/share/greeting
echo "\$line (built at $out)"
SCRIPT
chmod +x "$out/bin/hello"
echo "built $out"
