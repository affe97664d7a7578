Every kind of expected line.
simpcon: --env "A=b c" --tmpfs /t 'x y' \ z
  $ printf "\001\tq\\\n"
  \x01\tq\\ (esc)
  $ echo abc
  a.c (re)
  a?c (glob)
  a\*c (no-eol) (glob)
  $ exit 3
  [3]
  $ cat <<EOF
  > one
  > EOF
  one
  
  (no-eol) (esc)
