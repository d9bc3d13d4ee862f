// Whatever a test file made with tempDir() (sandbox/runner.ts) goes when the file ends, even
// when a test failed before its own clean-up ran.
import { afterAll } from '@jest/globals'
import { removeTempDirs } from '../../sandbox/runner.js'

afterAll(removeTempDirs)
