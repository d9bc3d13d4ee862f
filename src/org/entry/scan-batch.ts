import { runGuarded } from '../../run-guarded.js'
import { run } from '../scan-batch.js'

runGuarded(run, '[cnspec-keyless org]')
