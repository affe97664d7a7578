$
simpcon-fuzz 0 0
  $ printf '$'
