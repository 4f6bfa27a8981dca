"""What every kind of rule shares: findings, fixes, configuration, the rule engine."""
