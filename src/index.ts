import { run } from './main.js'
import { runGuarded } from './run-guarded.js'

runGuarded(run)
