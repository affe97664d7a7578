Its own output: the lines below the commands carry the markers of a fake run.
  $ printf "a\n"
  a

simpcon-fuzz 0 0
  $ false
  [1]

simpcon-fuzz 1 1
  $ printf x
  x (no-eol)
