Container options on simpcon: lines, with paths relative to this file's directory.
simpcon: --ro-bind data /data --env 'GREETING=hello world'

  $ cat /data/greeting.txt
  hi from the fixture
  $ echo "$GREETING"
  hello world
