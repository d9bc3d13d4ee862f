import { runGuarded } from '../../run-guarded.js'
import { run } from '../plan.js'

runGuarded(run, '[cnspec-keyless org]')
