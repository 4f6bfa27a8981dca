from alpine
run <<eof
echo lower
eof
