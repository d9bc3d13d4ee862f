import { runGuarded } from '../../run-guarded.js'
import { run } from '../summary.js'

runGuarded(run, '[cnspec-keyless org]')
