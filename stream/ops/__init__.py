"""Operations: the command line, the local broker, and the publish/tail/lag tools."""
